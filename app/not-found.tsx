import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="text-stone-700">There is nothing here, or it is not public.</p>
      <Link href="/" className="text-blue-700 hover:underline">
        Back to the home page
      </Link>
    </div>
  );
}
