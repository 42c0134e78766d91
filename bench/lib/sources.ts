/**
 * Who a profile frame's source file belongs to, for bench/lib/profile-summary.ts and
 * heap-summary.ts: a package (by its node_modules folder), node's own module, one of our files
 * under server/src (as `ours:<path>`), or '(native/V8)' for frames with no file.
 */
export function sourceOf(url: string): string {
  if (!url) return '(native/V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  const m = /server\/src\/(.*)$/.exec(url);
  return m ? `ours:${m[1]}` : url.replace(/^file:\/\/.*\/main\//, '');
}
