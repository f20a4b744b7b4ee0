import "./globals.css";
import type { ReactNode } from "react";

export const metadata = { title: "Kettle", description: "Reversible rollouts" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100">{children}</body>
    </html>
  );
}
