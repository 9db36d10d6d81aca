export default { name: 'ts-wrong', post: [{ table: 'public.users', exists: 'no' }] };
