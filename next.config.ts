import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Database drivers stay plain Node modules: PGlite loads its WASM and data files from its own package folder.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@neondatabase/serverless", "ws", "sql.js", "yauzl"],
  poweredByHeader: false,
  // The build checks the app's types only; `npm run typecheck` covers tests, benchmarks and scripts as well.
  typescript: { tsconfigPath: "tsconfig.app.json" },
  reactStrictMode: true,
};

export default nextConfig;
