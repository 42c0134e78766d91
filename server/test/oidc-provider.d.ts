// oidc-provider 8 ships no type declarations; the test helper uses it through this loose shape.
declare module 'oidc-provider' {
  const Provider: any;
  export default Provider;
  export const errors: any;
}
