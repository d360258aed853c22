// Vite builds the dashboard into dist/, which CMake embeds into the llmscope binary
// (cmake/EmbedWebAssets.cmake). `npm run dev` proxies /api to a local `llmscope serve`.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': process.env.LLMSCOPE_URL ?? 'http://127.0.0.1:8080' } },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
