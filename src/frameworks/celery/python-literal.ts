// Celery's configuration literals are read by Python's one value evaluator (languages/python/evaluate.ts).
export { dictGet, parseLiteral, type PyLiteral } from '../../languages/python/evaluate.js';
