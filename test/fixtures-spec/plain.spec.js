export default {
  name: 'plain-js',
  always: [{ extension: 'pgcrypto' }],
};
