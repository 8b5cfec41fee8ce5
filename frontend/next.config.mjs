// Static export: `next build` writes out/, which build/todo serves at / (src/web) or
// nginx serves in its own container (Dockerfile). No server-side rendering at run time.
/** @type {import('next').NextConfig} */
const nextConfig = {
  output: 'export',
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  // This folder is the app's root even though the repository holds other lockfiles.
  turbopack: { root: import.meta.dirname },
};

export default nextConfig;
