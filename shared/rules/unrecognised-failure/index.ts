export const UNRECOGNISED_RULE_ID = 'unrecognised-failure';
