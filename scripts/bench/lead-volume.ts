// Made-up but realistic lead rows for the import and search benchmarks (deterministic): names from
// common first and last names, companies from word pairs, e-mails from both, phone numbers in the
// mixed formats real files have; about 1 % of rows invalid and 1 % repeating an earlier number.
const FIRST = ['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Maria', 'Ahmed', 'Wei', 'Priya', 'Olga', 'Hiroshi', 'Fatima', 'Carlos', 'Aisha', 'Liam', 'Noah', 'Emma', 'Olivia', 'Sophia', 'Lucas', 'Mateo', 'Chloe', 'Ines', 'Yusuf', 'Anya'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Khan', 'Patel', 'Kowalski', 'Novak', 'Tanaka', 'Schmidt', 'Rossi', 'Dubois', 'Silva', 'Larsen'];
const WORD1 = ['Acme', 'Summit', 'Pioneer', 'Blue', 'Golden', 'Northern', 'Apex', 'Vertex', 'Crescent', 'Harbor', 'Evergreen', 'Silver', 'Granite', 'Maple', 'Falcon', 'Atlas', 'Beacon', 'Cobalt', 'Delta', 'Everest', 'Frontier', 'Horizon', 'Ironwood', 'Juniper', 'Keystone', 'Liberty', 'Meridian', 'Nimbus', 'Orchid', 'Paragon'];
const WORD2 = ['Logistics', 'Solutions', 'Insurance', 'Realty', 'Dental', 'Solar', 'Roofing', 'Plumbing', 'Legal', 'Media', 'Foods', 'Motors', 'Health', 'Capital', 'Labs', 'Systems', 'Travel', 'Energy', 'Fitness', 'Design'];
const AREA = ['212', '213', '305', '312', '415', '512', '617', '646', '702', '718', '773', '818', '917', '206', '303'];

export const LEAD_CSV_HEADER = 'First Name,Last Name,Company,Phone,Email,City,Source\r\n';

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length]!;
}

/** The i-th lead's parts (the same i always gives the same lead). */
export function leadParts(i: number) {
  // A simple deterministic mix (Knuth's multiplicative hash) so neighbours differ.
  const h = Math.imul(i + 1, 2654435761) >>> 0;
  const first = pick(FIRST, h);
  const last = pick(LAST, h >>> 8);
  const company = `${pick(WORD1, h >>> 4)} ${pick(WORD2, h >>> 12)}`;
  const area = pick(AREA, h >>> 16);
  // Unique numbers per i: the exchange and line from i itself (NANP: exchange 200-999).
  const exchange = 200 + Math.floor(i / 10_000) % 800;
  const line = String(i % 10_000).padStart(4, '0');
  const email = `${first}.${last}${i}@${company.split(' ')[0]!.toLowerCase()}.example`.toLowerCase();
  return { first, last, company, area, exchange: String(exchange), line, email };
}

/** One CSV line (CRLF) for lead i: ~1 % invalid phone, ~1 % a repeat of lead i-1's number. */
export function leadCsvLine(i: number): string {
  const p = leadParts(i);
  const formats = [`(${p.area}) ${p.exchange}-${p.line}`, `+1 ${p.area} ${p.exchange} ${p.line}`, `${p.area}.${p.exchange}.${p.line}`, `${p.area}${p.exchange}${p.line}`, `1-${p.area}-${p.exchange}-${p.line}`];
  let phone = formats[i % formats.length]!;
  if (i % 100 === 37) phone = `${p.exchange}-${p.line}`; // too short: invalid
  if (i % 100 === 73 && i > 0) {
    const prev = leadParts(i - 1);
    phone = `+1${prev.area}${prev.exchange}${prev.line}`;
  }
  const city = pick(['New York', 'Los Angeles', 'Chicago', 'Houston', 'Miami', '"Washington, D.C."'], i >>> 3);
  return `${p.first},${p.last},${p.company},${phone},${p.email},${city},bench\r\n`;
}

/** The CSV file as blocks of `blockRows` lines (never the whole file in memory). */
export async function* leadCsvBlocks(rows: number, blockRows = 5000): AsyncGenerator<Buffer> {
  yield Buffer.from(LEAD_CSV_HEADER);
  for (let start = 0; start < rows; start += blockRows) {
    let block = '';
    for (let i = start; i < Math.min(rows, start + blockRows); i += 1) block += leadCsvLine(i);
    yield Buffer.from(block);
  }
}
