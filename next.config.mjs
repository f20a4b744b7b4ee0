/** @type {import('next').NextConfig} */
const nextConfig = {
  // KETTLE_BASE_PATH serves the app under a prefix behind a reverse proxy.
  basePath: process.env.KETTLE_BASE_PATH || undefined,
  serverExternalPackages: ["@libsql/client", "libsql"],
  poweredByHeader: false,
  // The build type-checks the app only; `npm run typecheck` covers tests and scripts too.
  typescript: { tsconfigPath: "tsconfig.next.json" },
  // Lets parallel builds (tests, benchmarks) keep out of each other's way.
  distDir: process.env.KETTLE_DIST_DIR || ".next",
};
export default nextConfig;
