import { afterEach, expect } from 'vitest';
import { contractViolations } from '../helpers/contract.js';

// Any response that broke the contract during a test fails that test.
afterEach(() => {
  const seen = contractViolations.splice(0);
  expect(seen, 'responses that violate openapi.yaml').toEqual([]);
});
