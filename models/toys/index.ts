export { counterModel } from './counter.js';
export { lockMutexModel, naiveMutexModel } from './mutex.js';
export { tcommitModel, twoPhaseModel } from './commit.js';
