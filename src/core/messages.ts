import type { ModelErrorCode } from './errors.js';

/** What members read when something needs saying; short and plain. */
export const messages = {
  emptyQuestion: 'I only got a mention with nothing after it. Ask me something, e.g. "@bot what should I read next?"',
  tooLong: (length: number, limit: number) =>
    `That message is ${length.toLocaleString('en')} characters; I can take up to ${limit.toLocaleString('en')}. Please shorten it and ask again.`,
  askForCorrection: 'Thanks, noted that this answer was wrong. Reply to it with the right answer and I will learn from it.',
  correctionEmpty: 'That reply has no text I can learn from. Reply to my answer with the right answer written out.',
  correctionTruncated: (limit: number) => `Your correction was long, so I kept its first ${limit.toLocaleString('en')} characters.`,
  unexpected: 'Something went wrong on my side while answering. Please try again in a moment.',
  modelFailure: (code: ModelErrorCode): string => {
    switch (code) {
      case 'MODEL_UNREACHABLE':
        return 'My language model is not reachable right now, so I cannot answer. I kept your question; please try again later.';
      case 'MODEL_MISSING':
        return 'My language model is not installed on the server yet. I kept your question; an admin needs to pull the model.';
      case 'MODEL_TIMEOUT':
        return 'My language model took too long to answer. I kept your question; please try again in a moment.';
      case 'MODEL_ABORTED':
        return 'I stopped before answering (the bot is shutting down). Please ask again in a moment.';
      default:
        return 'My language model gave an answer I could not use. I kept your question; please try again.';
    }
  },
} as const;
