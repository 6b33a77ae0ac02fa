export * from "./users";
export * from "./prompts";
export * from "./imports";
export * from "./sharing";
export * from "./usage";
export * from "./billing";
