/** The two published revisions of the gateway API (agent37-api.md): `newer` is what production runs. */
export type Revision = 'newer' | 'first';
