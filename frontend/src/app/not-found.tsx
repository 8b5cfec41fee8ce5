import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="empty-state">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link href="/tasks" className="button">
          Go to your tasks
        </Link>
      </p>
    </div>
  );
}
