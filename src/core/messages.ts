import type { FeedbackKind } from '../memory/records.js';
import type { ModelErrorCode } from './errors.js';

/** What members read when something needs saying; short and plain. */
export const messages = {
  emptyQuestion: 'I only got a mention with nothing after it. Ask me something, e.g. "@bot what should I read next?"',
  tooLong: (length: number, limit: number) =>
    `That message is ${length.toLocaleString('en')} characters; I can take up to ${limit.toLocaleString('en')}. Please shorten it and ask again.`,
  askForCorrection: 'Thanks, noted that this answer was wrong. Reply to it with the right answer and I will learn from it.',
  correctionEmpty: 'That reply has no text I can learn from. Reply to my answer with the right answer written out.',
  eventFailedNote: 'something went wrong on my side; try again in a moment',
  reactionNotOnAnswer: 'that message is not one of my answers to a question of yours that I still keep',
  reactionNoAnswer: 'I could not answer that question, so there is no answer to mark right; ask again, or 👎 it and reply with the right answer',
  reactionUnchanged: (feedback: FeedbackKind, added: boolean): string => {
    if (!added) return 'there was no such reaction of yours on that answer to take back';
    if (feedback === 'negative_corrected') return 'that answer already has your correction; take back your 👎 first if it was right after all';
    if (feedback === 'negative') return 'that answer is already marked wrong; reply to it with the right answer';
    return 'that answer is already marked right';
  },
  correctionTruncated: (limit: number) => `Your correction was long, so I kept its first ${limit.toLocaleString('en')} characters.`,
  unexpected: 'Something went wrong on my side while answering. Please try again in a moment.',
  queued: (ahead: number) => `${ahead} question${ahead === 1 ? '' : 's'} ahead of yours…`,
  working: (tool: string | null) => (tool === 'wikipedia' ? 'looking it up on Wikipedia…' : tool === 'search_memory' ? 'searching your memory…' : 'thinking…'),
  tooManyPending: (pending: number) =>
    `You already have ${pending} question${pending === 1 ? '' : 's'} waiting for an answer. I will get to them in turn; ask this one again once they are answered.`,
  restartedLeadIn: '(I restarted before I could answer this. Here is my answer.)',
  restarting: 'I am restarting and did not get to your question yet. I kept it and will answer it when I am back.',
  cutOff: (code: ModelErrorCode) => `(My answer was cut off: ${cutOffReason(code)})`,
  contextTooSmall: 'Your question and your persona together are too long for my model to read at once. Please ask a shorter question; an admin can raise OLLAMA_NUM_CTX.',
  modelFailure: (code: ModelErrorCode): string => {
    switch (code) {
      case 'MODEL_UNREACHABLE':
        return 'My language model is not reachable right now, so I cannot answer. I kept your question; please try again later.';
      case 'MODEL_MISSING':
        return 'My language model is not installed on the server yet. I kept your question; an admin needs to pull the model.';
      case 'MODEL_UNAUTHORISED':
        return 'My language model server turned me away (its API key is not accepted). I kept your question; an admin needs to check the key.';
      case 'MODEL_RATE_LIMITED':
        return 'My language model is busy right now. I kept your question; please try again in a minute.';
      case 'MODEL_CONTEXT_TOO_LONG':
        return 'Your question and your persona together are too long for my model to read at once. Please ask a shorter question.';
      case 'MODEL_TIMEOUT':
        return 'My language model took too long to answer. I kept your question; please try again in a moment.';
      case 'MODEL_ABORTED':
        return 'I stopped before answering (the bot is shutting down). Please ask again in a moment.';
      default:
        return 'My language model gave an answer I could not use. I kept your question; please try again.';
    }
  },
} as const;

function cutOffReason(code: ModelErrorCode): string {
  switch (code) {
    case 'MODEL_TIMEOUT':
      return 'it took too long. Please try again in a moment.';
    case 'MODEL_ABORTED':
      return 'the bot is restarting. Please ask again in a moment.';
    case 'MODEL_UNREACHABLE':
      return 'my language model stopped answering. Please try again later.';
    case 'MODEL_RATE_LIMITED':
      return 'my language model is busy. Please try again in a minute.';
    default:
      return 'my language model failed partway. Please try again.';
  }
}
