/**
 * Who is calling, worked out once by the auth middleware and frozen: services and scoped
 * queries receive this, never a request. Every query on tenant data filters on
 * `institutionId` from here.
 */
export const roles = ['viewer', 'data_manager', 'admin'] as const
export type Role = (typeof roles)[number]

export const permissions = [
  'data_management.view',
  'data_management.edit',
  'data_management.admin',
] as const
export type Permission = (typeof permissions)[number]

const permissionsOf: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['data_management.view'],
  data_manager: ['data_management.view', 'data_management.edit'],
  admin: ['data_management.view', 'data_management.edit', 'data_management.admin'],
}

export interface Scope {
  readonly userId: number
  readonly institutionId: number
  /** Set for a user tied to one unit: other units' personal data is hidden from them. */
  readonly unitId: number | null
  readonly role: Role
  readonly displayName: string
  readonly email: string
  readonly permissions: ReadonlySet<Permission>
}

export function makeScope(user: Omit<Scope, 'permissions'>): Scope {
  return Object.freeze({ ...user, permissions: new Set(permissionsOf[user.role]) })
}

export function can(scope: Scope, permission: Permission): boolean {
  return scope.permissions.has(permission)
}
