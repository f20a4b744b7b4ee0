"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { Me } from "@/lib/auth/identity";

const links = [
  { href: "/rollouts/new", label: "New", match: (p: string) => p === "/rollouts/new", shown: (_: Me | null) => true },
  { href: "/rollouts", label: "All", match: (p: string) => p === "/rollouts", shown: (_: Me | null) => true },
  { href: "/freezes", label: "Freezes", match: (p: string) => p === "/freezes", shown: (me: Me | null) => !!me },
  { href: "/tokens", label: "Tokens", match: (p: string) => p === "/tokens", shown: (me: Me | null) => !!me?.role && me.mode !== "none" },
  { href: "/audit", label: "Audit", match: (p: string) => p === "/audit", shown: (me: Me | null) => !!me && !me.refused.audit_read },
  { href: "/webhooks", label: "Webhooks", match: (p: string) => p === "/webhooks", shown: (me: Me | null) => !!me && !me.refused.webhook_read },
];

export function Nav({ me }: { me: Me | null }) {
  const pathname = usePathname();
  return (
    <ul className="flex flex-wrap items-center gap-1">
      {links.filter((l) => l.shown(me)).map((l) => {
        const current = l.match(pathname);
        return (
          <li key={l.href}>
            <Link
              href={l.href}
              aria-current={current ? "page" : undefined}
              className={`rounded-md px-3 py-1.5 text-sm font-medium transition ${
                current
                  ? "bg-white/15 text-white"
                  : "text-indigo-100 hover:bg-white/10 hover:text-white"
              }`}
            >
              {l.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
