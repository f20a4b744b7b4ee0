import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "turso",
  schema: "./lib/kettle/store/schema.ts",
  out: "./drizzle",
  dbCredentials: {
    url: process.env.KETTLE_DATABASE_URL ?? "file:kettle.sqlite",
    authToken: process.env.KETTLE_DATABASE_AUTH_TOKEN,
  },
});
