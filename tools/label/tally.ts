// Token and cost tally. Prices are USD per million tokens, as providers quote them.
import type { Usage } from './client';

export interface Prices {
  inputPerM: number;
  outputPerM: number;
}

export class Tally {
  requests = 0;
  prompt_tokens = 0;
  completion_tokens = 0;

  constructor(private readonly prices: Prices) {}

  /** Tokens of one answered request; HTTP requests are counted separately, failed ones included. */
  add(usage: Partial<Usage> | undefined) {
    this.prompt_tokens += usage?.prompt_tokens ?? 0;
    this.completion_tokens += usage?.completion_tokens ?? 0;
  }

  get costUsd(): number {
    return (this.prompt_tokens * this.prices.inputPerM + this.completion_tokens * this.prices.outputPerM) / 1e6;
  }

  toJSON() {
    return {
      requests: this.requests,
      prompt_tokens: this.prompt_tokens,
      completion_tokens: this.completion_tokens,
      cost_usd: Number(this.costUsd.toFixed(6)),
      prices_per_million: this.prices,
    };
  }
}
