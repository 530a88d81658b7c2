import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confinedFileSystem, nodeFileSystem, OUTSIDE_PROJECT } from '../../src/fs.js';

// The scanner's hot path checks a listed file by its directory, once per directory, keyed by the directory as the
// walk writes it (shared with the directory's listing): these are the ways a key could stand for the wrong place.
const base = mkdtempSync(path.join(os.tmpdir(), 'receipts-doctor-confined-'));
const root = path.join(base, 'project');
const outside = path.join(base, 'outside');
mkdirSync(path.join(root, 'pkg'), { recursive: true });
mkdirSync(outside);
writeFileSync(path.join(root, 'pkg/a.py'), 'A = 1\n');
writeFileSync(path.join(outside, 'b.py'), 'SECRET = 1\n');
symlinkSync(outside, path.join(root, 'link'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const refusedCode = (read: () => unknown) => {
  try {
    read();
    return 'read';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
};

describe('confinedFileSystem: listed files checked per directory', () => {
  it('reads a listed file in a directory inside the project, after its listing and without one', () => {
    const fs = confinedFileSystem(nodeFileSystem, root);
    expect(fs.readdir(`${root}/pkg`).map((entry) => entry.name)).toEqual(['a.py']);
    expect(text(fs.readBytesTransient!(`${root}/pkg/a.py`, 1024, true))).toBe('A = 1\n');
    expect(text(confinedFileSystem(nodeFileSystem, root).readBytesTransient!(`${root}/pkg/a.py`, 1024, true))).toBe('A = 1\n');
  });

  it('refuses the listing of, and a listed file in, a directory that is a symlink out of the project', () => {
    const fs = confinedFileSystem(nodeFileSystem, root);
    expect(refusedCode(() => fs.readdir(`${root}/link`))).toBe(OUTSIDE_PROJECT);
    expect(refusedCode(() => fs.readBytesTransient!(`${root}/link/b.py`, 1024, true))).toBe(OUTSIDE_PROJECT);
    // Asked in the other order: the refusal is cached for the listing too.
    const other = confinedFileSystem(nodeFileSystem, root);
    expect(refusedCode(() => other.readBytesTransient!(`${root}/link/b.py`, 1024, true))).toBe(OUTSIDE_PROJECT);
    expect(refusedCode(() => other.readdir(`${root}/link`))).toBe(OUTSIDE_PROJECT);
  });

  it('keys a directory by its written form without letting `..` reach another place', () => {
    const fs = confinedFileSystem(nodeFileSystem, root);
    fs.readdir(`${root}/pkg`); // `${root}/pkg` is cached as inside
    expect(refusedCode(() => fs.readBytesTransient!(`${root}/pkg/../link/b.py`, 1024, true))).toBe(OUTSIDE_PROJECT);
    expect(refusedCode(() => fs.readBytesTransient!(`${root}/pkg/../../outside/b.py`, 1024, true))).toBe(OUTSIDE_PROJECT);
    expect(refusedCode(() => fs.readdir(`${root}/pkg/../..`))).toBe(OUTSIDE_PROJECT);
    // A last segment that moves the path gets the full check (here: the project's parent).
    expect(refusedCode(() => fs.readBytesTransient!(`${root}/pkg/../..`, 1024, true))).toBe(OUTSIDE_PROJECT);
    expect(text(fs.readBytesTransient!(`${root}/link/../pkg/a.py`, 1024, true))).toBe('A = 1\n');
  });

  it('a directory its parent listed as one is inside when its parent is, without resolving it again; nothing else is assumed', () => {
    const realpaths: string[] = [];
    const counting = { ...nodeFileSystem, realpath: (file: string) => (realpaths.push(file), nodeFileSystem.realpath!(file)) };
    const fs = confinedFileSystem(counting, root);
    fs.readdir(root);
    expect(fs.readdir(`${root}/pkg`, true).map((entry) => entry.name)).toEqual(['a.py']);
    expect(text(fs.readBytesTransient!(`${root}/pkg/a.py`, 1024, true))).toBe('A = 1\n');
    expect(realpaths).toEqual([root, root]); // the root's real path, and the root checked as a directory
    // Said of a directory whose parent was not checked, or of a path not in normal form: the full check. (Like
    // `listedRegular` for a file, the hint is the caller's word that the listing said "directory", not "link": the
    // walk gives it only then, and never descends into a link.)
    const fresh = confinedFileSystem(counting, root);
    realpaths.length = 0;
    expect(fresh.readdir(`${root}/pkg`, true).map((entry) => entry.name)).toEqual(['a.py']);
    expect(realpaths).toContain(`${root}/pkg`);
    expect(refusedCode(() => fresh.readdir(`${root}/pkg/../link`, true))).toBe(OUTSIDE_PROJECT);
  });
});
