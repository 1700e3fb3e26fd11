/**
 * ServiceNow record ids (pure): a `sys_id` is 32 hexadecimal characters. ServiceNow writes them in
 * lower case; the canonical form is lower case, so a hold or request written with upper case names
 * the same record. Anything else is returned unchanged (hand-made fixtures), and `sysIdProblem`
 * says why a value is not a sys_id where one is required.
 */
const SYS_ID = /^[0-9a-f]{32}$/;

/** True for a well-formed sys_id in canonical (lower-case) form. */
export function isSysId(id: string): boolean {
  return SYS_ID.test(id);
}

/** The canonical (lower-case) sys_id, or the input unchanged when it is not one. */
export function normalizeSysId(id: string): string {
  const lower = id.trim().toLowerCase();
  return SYS_ID.test(lower) ? lower : id;
}

/** Why `id` is not a sys_id, or null when it is one (either case). */
export function sysIdProblem(id: string): string | null {
  if (SYS_ID.test(id.toLowerCase())) return null;
  if (id.length !== 32) return `a ServiceNow sys_id has 32 characters, this one has ${id.length}`;
  return 'a ServiceNow sys_id has only hexadecimal digits (0-9, a-f)';
}
