// The PDF of a generated report, checked as a reader sees it: rendered to pixels (pdftoppm) and
// read back as text (pdftotext, pdfinfo) — a year of days runs over many pages, each with the
// table's header row; the first page has the title block, the last the totals.
import { describe, expect, it } from 'vitest';
import type { components } from '../../client/schema.js';
import { inkShare, pdfInfo, pdfText, renderPage, shadedBands } from '../helpers/pdf-tools.js';
import { reportPdf } from '../../server/reports/generate/pdf.js';
import { withOutcomeWorld } from './outcome-world.js';

const ctx = withOutcomeWorld();

/** The bytes of an answer read with parseAs: 'arrayBuffer' (the SDK's type does not narrow to them). */
const bytes = (data: unknown) => new Uint8Array(data as ArrayBuffer);

async function pdfOf(body: Omit<components['schemas']['ReportRequest'], 'format'>): Promise<{ pdf: Uint8Array; response: Response }> {
  const { data, response } = await ctx.w.manager.client.POST('/api/reports/generate', { body: { ...body, format: 'pdf' }, parseAs: 'arrayBuffer' });
  expect(response.status).toBe(200);
  return { pdf: bytes(data), response };
}

describe('PDF reports', () => {
  it('a year (365 days) of call outcomes by day: many pages, the header row on each, the totals on the last', async () => {
    const { pdf, response } = await pdfOf({ reportType: 'call_outcomes', dateRange: { start: '2024-03-13', end: '2025-03-12' }, filters: { campaigns: [ctx.w.c1] } });
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="call_outcomes_2024-03-13_2025-03-12.pdf"');
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const info = await pdfInfo(pdf);
    expect(info.Title).toBe('Call outcomes — Acme Calls');
    expect(info['Page size']).toMatch(/^841\.89 x 595\.28 pts \(A4\)/);
    const pages = Number(info.Pages);
    expect(pages).toBeGreaterThanOrEqual(8);

    const first = await pdfText(pdf, 1);
    for (const line of ['Call outcomes', 'Acme Calls', 'Period: 2024-03-13 to 2025-03-12 (UTC; both days included)', 'Campaigns: Alpha', 'Generated: 2025-03-12 15:00:00 UTC']) {
      expect(first).toContain(line);
    }
    let days = 0;
    for (let page = 1; page <= pages; page += 1) {
      const text = await pdfText(pdf, page);
      expect(text, `page ${page}`).toMatch(/Day\s+Calls\s+Answered\s+Voicemail/);
      expect(text).toContain(`Page ${page} of ${pages}`);
      days += (text.match(/^\s*\d{4}-\d{2}-\d{2}\s/gm) ?? []).length;
    }
    expect(days).toBe(365);
    // Alpha's calls in the year: 1, 2, 4, 6, 7, 8 and 10; logged calls L1, L2, L4, L6 and L7 (lead0).
    expect(await pdfText(pdf, pages)).toMatch(/Total\s+7\s+3\s+1\s+0\s+1\s+0\s+1\s+0\s+1\s+5\s+3\s+1\s+1\s+0\s+0\s+0/);

    // Rendered: the header row's shaded band on every page (under the title block on the first,
    // at the top of the others), ink in the table's body, none in the right margin.
    for (const page of [1, 2, pages]) {
      const image = await renderPage(pdf, page);
      const header = shadedBands(image).find((b) => b.bottom - b.top >= 0.03);
      expect(header, `header band, page ${page}`).toBeDefined();
      if (page === 1) expect(header!.top).toBeGreaterThan(0.15);
      else expect(header!.top).toBeLessThan(0.1);
      expect(inkShare(image, { left: 0.96, top: 0, right: 1, bottom: 1 }), `right margin, page ${page}`).toBe(0);
    }
    const body = await renderPage(pdf, 2);
    expect(inkShare(body, { left: 0.04, top: 0.12, right: 0.96, bottom: 0.85 })).toBeGreaterThan(0.03);
  });

  it('agent performance: one page with every agent, the totals in bold, rates and times as people read them', async () => {
    const { pdf } = await pdfOf({ reportType: 'agent_performance', dateRange: { start: '2025-03-01', end: '2025-03-12' } });
    expect((await pdfInfo(pdf)).Pages).toBe('1');
    const text = await pdfText(pdf, 1);
    expect(text).toMatch(/Agent Ann\s+4\s+50\.0 %\s+4:30\s+2:15/);
    expect(text).toMatch(/Agent Cy\s+2\s+0\.0 %\s+0:00\s+—/);
    expect(text).toMatch(/Total\s+8\s+37\.5 %\s+5:20\s+1:47/);
    expect(text).toContain('Page 1 of 1');
    const image = await renderPage(pdf, 1, 72);
    // Title, table and nothing below the table's few rows but the footer.
    expect(inkShare(image, { left: 0.04, top: 0.05, right: 0.4, bottom: 0.1 })).toBeGreaterThan(0.05);
    expect(inkShare(image, { left: 0.04, top: 0.45, right: 0.96, bottom: 0.9 })).toBe(0);
  });

  it("an agent's own lead funnel", async () => {
    const { data, response } = await ctx.w.ann.client.POST('/api/reports/generate', {
      body: { reportType: 'lead_conversion', dateRange: { start: '2025-03-01', end: '2025-03-12' }, format: 'pdf' },
      parseAs: 'arrayBuffer',
    });
    expect(response.status).toBe(200);
    const text = await pdfText(bytes(data));
    expect(text).toContain('Figures: your own');
    expect(text).toMatch(/Alpha\s+2\s/);
    expect(text).toMatch(/Total\s+3\s/);
  });

  it('cuts a long agent name, never the figures beside it (talk time 4:30 was printed 4:…)', async () => {
    const long = `Agent Ann ${'Wide '.repeat(30)}End`;
    await ctx.t.db.updateTable('agents').set({ name: long }).where('id', '=', ctx.w.agents.ann).execute();
    try {
      const { pdf } = await pdfOf({ reportType: 'agent_performance', dateRange: { start: '2025-03-01', end: '2025-03-12' } });
      const text = await pdfText(pdf, 1);
      expect(text).toMatch(/Agent Ann W[^\n]*…\s+4\s+50\.0 %\s+4:30\s+2:15\s+2\s+1\s/);
      expect(text).not.toContain('End');
    } finally {
      await ctx.t.db.updateTable('agents').set({ name: 'Agent Ann' }).where('id', '=', ctx.w.agents.ann).execute();
    }
  });

  it("keeps the footer on one line under a long organisation name (its name cut, the date and page number kept)", async () => {
    const org = await ctx.t.db.selectFrom('users').select('org_id').where('id', '=', ctx.w.manager.id).executeTakeFirstOrThrow();
    await ctx.t.db.updateTable('organizations').set({ name: `Acme ${'Wide '.repeat(38)}End` }).where('id', '=', org.org_id).execute();
    try {
      const { pdf } = await pdfOf({ reportType: 'agent_performance', dateRange: { start: '2025-03-01', end: '2025-03-12' } });
      const text = await pdfText(pdf, 1);
      expect(text).toMatch(/Agent performance — Acme Wide .*…\s+— generated 2025-03-12T15:00:00\.000Z\s+Page 1 of 1/);
    } finally {
      await ctx.t.db.updateTable('organizations').set({ name: 'Acme Calls' }).where('id', '=', org.org_id).execute();
    }
  });

  it('names the filters of many long-named campaigns and agents in a line each, so the title block stays above the table on page 1', async () => {
    const meta = {
      title: 'Call outcomes',
      organizationName: 'Acme Calls',
      range: { startDate: '2025-01-01', endDate: '2025-01-31', timeZone: 'UTC', from: '2025-01-01T00:00:00.000Z', to: '2025-02-01T00:00:00.000Z' },
      filters: { campaigns: [], agents: [], outcomes: [] },
      scope: 'organization' as const,
      generatedAt: '2025-02-01T00:00:00.000Z',
    };
    const table = {
      columns: [{ label: 'Day', kind: 'text' as const, weight: 2 }, { label: 'Calls', kind: 'count' as const, weight: 1 }],
      rows: Array.from({ length: 20 }, (_, i) => [`2025-01-${String(i + 1).padStart(2, '0')}`, i]),
      totals: ['Total', 190],
    };
    // The contract's most: 50 campaigns (names of up to 200 characters) and 100 agents.
    const labels = {
      campaigns: Array.from({ length: 50 }, (_, i) => `Campaign ${i} ${'X'.repeat(180)}`),
      agents: Array.from({ length: 100 }, (_, i) => `Agent ${i} ${'Y'.repeat(90)}`),
    };
    const pdf = new Uint8Array(await reportPdf(meta, table, labels));
    expect(Number((await pdfInfo(pdf)).Pages)).toBe(1);
    const text = await pdfText(pdf, 1);
    expect(text).toMatch(/Campaigns: Campaign 0 X+.* and \d+ more/);
    expect(text).toMatch(/Agents: Agent 0 Y+.* and \d+ more/);
    expect(text).toMatch(/Day\s+Calls/);
    expect(text).toMatch(/Total\s+190/);
    expect(text).toContain('Page 1 of 1');
  });
});
