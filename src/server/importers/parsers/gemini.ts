/**
 * Gemini sources (formats README §3): Takeout "My Activity" (JSON and HTML) and Google AI Studio chats.
 * One parser object each; this module only gathers them for the registry.
 */
export { geminiTakeoutParser } from "./gemini-takeout";
export { geminiAiStudioParser } from "./gemini-aistudio";
