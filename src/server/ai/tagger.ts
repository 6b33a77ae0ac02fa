/**
 * Auto-tagging by topic, offline: each topic has weighted keyword patterns; a prompt gets the (at most
 * three) topics whose score passes a threshold, strongest first. Deterministic and explainable — the
 * matched words are returned with each tag.
 */
export type TopicMatch = { tag: string; score: number; matched: string[] };

type Topic = { tag: string; color: string; patterns: [RegExp, number][] };

export const TOPICS: readonly Topic[] = [
  {
    tag: "coding",
    color: "#3b82f6",
    patterns: [
      [/\b(code|coding|function|method|class|bug|debug|error|exception|stack ?trace|refactor|compile|repository|pull request|unit tests?|api|endpoint|regex|algorithm)\b/gi, 2],
      [/\b(typescript|javascript|python|java|rust|golang|go|c\+\+|c#|ruby|php|kotlin|swift|react|next\.?js|node|django|rails|docker|kubernetes|git)\b/gi, 2],
      [/```/g, 3],
    ],
  },
  { tag: "data", color: "#14b8a6", patterns: [[/\b(sql|query|database|table|csv|spreadsheet|excel|google sheets|pandas|dataframe|dataset|chart|dashboard|metrics|pivot|statistics|regression)\b/gi, 2]] },
  {
    tag: "writing",
    color: "#8b5cf6",
    patterns: [
      [/\b(write|rewrite|draft|edit|proofread|essay|article|blog|post|paragraph|tone|headline|copy|story|summary of my|cover letter|outline)\b/gi, 1.5],
      [/\b(grammar|style|concise|wording|rephrase|paraphrase)\b/gi, 2],
    ],
  },
  { tag: "email", color: "#f97316", patterns: [[/\b(e-?mail|inbox|reply to|follow[- ]up|newsletter|subject line|cold outreach)\b/gi, 2.5]] },
  { tag: "marketing", color: "#ec4899", patterns: [[/\b(marketing|campaign|seo|landing page|ad copy|ads?|brand|audience|conversion|social media|linkedin|twitter|instagram|tiktok|launch|slogan|product hunt)\b/gi, 2]] },
  { tag: "research", color: "#22c55e", patterns: [[/\b(research|paper|study|literature|sources?|citations?|evidence|compare|comparison|analy[sz]e|analysis|pros and cons|trade-?offs?|market size|competitors?)\b/gi, 1.5]] },
  { tag: "learning", color: "#eab308", patterns: [[/\b(explain|teach|learn|understand|eli5|tutorial|lesson|quiz|study guide|concept|beginner|flashcards?|homework)\b/gi, 1.5]] },
  { tag: "support", color: "#64748b", patterns: [[/\b(customer|support ticket|complaint|refund|help ?desk|troubleshoot|faq|escalat\w*|sla)\b/gi, 2.5]] },
  { tag: "productivity", color: "#0ea5e9", patterns: [[/\b(plan|schedule|to-?do|task list|meeting|agenda|notes|prioriti[sz]e|summari[sz]e|minutes|okrs?|roadmap|checklist)\b/gi, 1.2]] },
  { tag: "design", color: "#f43f5e", patterns: [[/\b(design|ui|ux|figma|wireframe|mockup|layout|color palette|typography|logo|icon)\b/gi, 2]] },
  { tag: "creative", color: "#a855f7", patterns: [[/\b(poem|song|lyrics|fiction|novel|character|plot|screenplay|joke|brainstorm|ideas for|creative)\b/gi, 2]] },
  { tag: "career", color: "#84cc16", patterns: [[/\b(resume|cv|interview|job|career|salary|promotion|linkedin profile|hiring|recruit\w*)\b/gi, 2]] },
  { tag: "legal", color: "#78716c", patterns: [[/\b(contract|legal|law|clause|gdpr|privacy policy|terms of service|compliance|liability|nda)\b/gi, 2.5]] },
  { tag: "finance", color: "#10b981", patterns: [[/\b(budget|invoice|finance|financial|revenue|profit|tax|accounting|pricing|cash ?flow|investment|stock)\b/gi, 2]] },
];

const THRESHOLD = 3;
const MAX_TAGS = 3;

export function suggestTopics(text: string): TopicMatch[] {
  const sample = text.slice(0, 20_000);
  const matches: TopicMatch[] = [];
  for (const topic of TOPICS) {
    let score = 0;
    const matched = new Set<string>();
    for (const [pattern, weight] of topic.patterns) {
      const hits = sample.match(pattern) ?? [];
      // Diminishing returns: the fifth mention of "code" says little more than the second.
      score += weight * Math.min(hits.length, 4);
      for (const hit of hits.slice(0, 5)) matched.add(hit.toLowerCase());
    }
    if (score >= THRESHOLD) matches.push({ tag: topic.tag, score: Math.round(score * 10) / 10, matched: [...matched] });
  }
  return matches.sort((a, b) => b.score - a.score || a.tag.localeCompare(b.tag)).slice(0, MAX_TAGS);
}

export function topicColor(tag: string): string | undefined {
  return TOPICS.find((t) => t.tag === tag)?.color;
}
