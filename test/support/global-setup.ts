// Says once, up front, which database the suite runs on and how to run it on the other.
export default function setup(): void {
  const url = process.env.DATABASE_URL;
  if (url) {
    console.log(`[onethread tests] database: PostgreSQL (${url.replace(/:[^:@/]*@/, ':***@')}); each test file gets its own database`);
  } else {
    console.log(
      '[onethread tests] database: SQLite. PostgreSQL suite skipped: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run the same suite on PostgreSQL',
    );
  }
}
