/** What members read about the controls on answers, files, instructions and their own memories. */
export const chatMessages = {
  onlyAsker: 'Only the member who asked can label this answer.',
  answerGone: 'I no longer keep that answer (it may have been forgotten).',
  approved: 'Noted: this answer is right. Thanks!',
  approveRefused: (why: string) => `That did not count: ${why}.`,
  correctedByForm: 'Thanks: I stored your answer as the right one and will learn from it.',
  correctionReplaced: 'Updated: your new answer replaces the one you gave before.',
  correctionFormEmpty: 'The form had no text I can learn from; nothing was changed. Press Correct it again and write the right answer.',
  correctionTitle: 'Correct my answer',
  correctionLabel: 'The right answer',
  correctionContext: (question: string) => `Your question:\n${question}`,
  noForms: 'Reply to my answer with the right answer and I will learn from it.',
  imagesUnread: (count: number) => `(My model does not read images, so I did not look at the ${count === 1 ? 'image' : `${count} images`} you sent.)`,
  fileTooLarge: (name: string, limitKb: number) => `(I did not read ${name}: it is larger than ${limitKb.toLocaleString('en')} KB.)`,
  fileNotText: (name: string) => `(I did not read ${name}: I read text files (plain text, markdown, code, CSV) and images.)`,
  fileUnreadable: (name: string) => `(I could not fetch ${name}, so I answered without it.)`,
} as const;
