/** A PgspecError is a setup failure with a stable code, an exit code and a message that says what to do next. */
export class PgspecError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 2 | 3 = 2,
  ) {
    super(message);
    this.name = 'PgspecError';
  }
}

/** A SpecError is an invalid spec file: exit 2, naming file, line and the offending key. */
export class SpecError extends PgspecError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly keyPath: string,
    readonly detail: string,
  ) {
    const where = line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`;
    super('SPEC_INVALID', `${where}: ${keyPath ? `${keyPath}: ` : ''}${detail}`, 2);
    this.name = 'SpecError';
  }
}

/** A UsageError is a command line that cannot run as given (exit 2, nothing touched). */
export class UsageError extends PgspecError {
  constructor(message: string) {
    super('USAGE', message, 2);
    this.name = 'UsageError';
  }
}

/** A TargetError is a target that could not be reached or set up at all (exit 3). */
export class TargetError extends PgspecError {
  constructor(message: string, code = 'TARGET_UNREACHABLE') {
    super(code, message, 3);
    this.name = 'TargetError';
  }
}
