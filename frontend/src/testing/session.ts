import type { Me } from '@carbon-sync/shared'

/** The demo data manager of institution A, as `GET /auth/me` answers; `permissions` replaced if given. */
export function demoManager(permissions?: string[]): Me {
  return {
    id: 2,
    email: 'manager@demo-a.test',
    displayName: 'Marc Manager',
    role: 'data_manager',
    permissions: permissions ?? ['data_management.view', 'data_management.edit'],
    institution: { id: 1, name: 'Demo University A' },
    unitId: null,
  }
}
