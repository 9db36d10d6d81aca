-- Every role with its direct memberships; which ones the snapshot keeps is decided in
-- TypeScript (non-system roles plus those the snapshot's objects refer to).
SELECT r.rolname::text AS rolname,
       r.rolcanlogin AS login,
       r.rolsuper AS superuser,
       ARRAY(SELECT DISTINCT g.rolname::text
             FROM pg_auth_members m
             JOIN pg_roles g ON g.oid = m.roleid
             WHERE m.member = r.oid) AS member_of
FROM pg_roles r
ORDER BY r.rolname COLLATE "C";
