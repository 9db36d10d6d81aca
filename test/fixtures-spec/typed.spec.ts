import { defineSpec } from '../../src/index.ts';

export default defineSpec({
  name: 'typed-spec',
  post: [
    { table: 'public.users', exists: false },
    { trigger: 'on_auth_user_created', table: 'auth.users', exists: false },
    { foreignKey: { table: 'public.orders', columns: ['client_id'], references: 'public.clients(id)' }, onDelete: 'cascade' },
  ],
  changes: ['drop table public.users'],
});
