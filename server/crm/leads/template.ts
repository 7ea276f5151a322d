// The CSV template for lead imports: the columns in the order a file without a header row is read.
export const TEMPLATE_COLUMNS = ['firstName', 'lastName', 'name', 'company', 'phone', 'email', 'country', 'timeZone', 'priority', 'stage', 'notes', 'nextCallAt'] as const;

export const TEMPLATE_EXAMPLE_ROW = ['Sara', 'Ahmed', '', 'ABC Corp', '+14155552671', 'sara@example.com', 'US', 'America/Los_Angeles', 'normal', 'New', 'VIP customer', ''];
