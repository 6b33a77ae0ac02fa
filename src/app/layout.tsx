import type { Metadata } from "next";
import type { ReactNode } from "react";
import { authMode } from "@/server/auth";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "PromptVault", template: "%s · PromptVault" },
  description: "Keep, version, improve and share your AI prompts — and import your whole history from ChatGPT, Claude, Gemini, Cline and Cursor.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const page = (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
  if (authMode() !== "clerk") return page;
  // Loaded only with Clerk keys: @clerk/nextjs fails every request when it is mounted without them.
  const { ClerkProvider } = await import("@clerk/nextjs");
  return <ClerkProvider>{page}</ClerkProvider>;
}
