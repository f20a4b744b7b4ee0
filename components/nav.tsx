"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const links = [
  { href: "/rollouts/new", label: "New", match: (p: string) => p === "/rollouts/new" },
  { href: "/rollouts", label: "All", match: (p: string) => p === "/rollouts" },
];

export function Nav() {
  const pathname = usePathname();
  return (
    <ul className="flex items-center gap-1">
      {links.map((l) => {
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
