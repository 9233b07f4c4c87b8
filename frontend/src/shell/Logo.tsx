export function Logo({ size = 26 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#4f46e5" />
      <path d="M8 10h16M8 16h16M8 22h16M14 8v16" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
    </svg>
  );
}
