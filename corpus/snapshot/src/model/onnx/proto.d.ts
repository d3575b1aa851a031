// esbuild bundles *.proto files as text (loader ".proto": "text" in esbuild.js).
declare module '*.proto' {
  const text: string;
  export default text;
}
