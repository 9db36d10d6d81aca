export const spec = { name: 'named-export-only' };
