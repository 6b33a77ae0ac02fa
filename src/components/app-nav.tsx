"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/library", label: "Library" },
  { href: "/import", label: "Import" },
  { href: "/shares", label: "Shares" },
  { href: "/trash", label: "Trash" },
];

export function NavLinks({ admin = false }: { admin?: boolean }) {
  const pathname = usePathname();
  const links = [...LINKS, { href: "/plan", label: "Plan" }, ...(admin ? [{ href: "/admin", label: "Admin" }] : [])];
  return (
    <nav className="flex items-center gap-1 text-sm">
      {links.map((link) => {
        const active = pathname === link.href || pathname.startsWith(`${link.href}/`) || (link.href === "/library" && pathname.startsWith("/prompts"));
        return (
          <Link key={link.href} href={link.href} className={`rounded-md px-2.5 py-1.5 ${active ? "bg-slate-100 font-medium text-slate-900" : "text-slate-600 hover:text-slate-900"}`}>
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
