import { describe, expect, it } from 'vitest';
import { memoryFileSystem } from '../../src/fs.js';
import { scanSources } from '../../src/scan/index.js';

const scan = (files: Record<string, string>) =>
  scanSources({ fs: memoryFileSystem(Object.fromEntries(Object.entries(files).map(([name, text]) => [`/p/${name}`, text]))), root: '/p' });

const enqueue = (name: string) => `from rq import Queue\nfrom redis import Redis\n\nfrom settings import *\n\n\ndef run():\n    Queue(${name}, connection=Redis()).enqueue("jobs.f")\n`;

describe('from m import * (Python)', () => {
  it('a name the module does not bind comes from its star imports, through a chain and an import cycle', () => {
    const result = scan({
      'app.py': enqueue('REPORTS_QUEUE'),
      'settings/__init__.py': 'from settings.common import *\nfrom settings.local import *\n',
      'settings/common.py': 'from settings import *\nREPORTS_QUEUE = "reports"\nMAIL_QUEUE = "mail"\n',
      'settings/local.py': 'from settings.common import *\nMAIL_QUEUE = "mail-local"\n',
    });
    expect(result.producers.map((producer) => producer.queue)).toEqual(['reports']);
  });

  it('the last star import that binds a name wins, as in Python', () => {
    const result = scan({
      'app.py': enqueue('MAIL_QUEUE'),
      'settings/__init__.py': 'from settings.common import *\nfrom settings.local import *\n',
      'settings/common.py': 'MAIL_QUEUE = "mail"\n',
      'settings/local.py': 'MAIL_QUEUE = "mail-local"\n',
    });
    expect(result.producers.map((producer) => producer.queue)).toEqual(['mail-local']);
  });

  it('private names are not taken, and a name bound nowhere stays unresolved', () => {
    const privateName = scan({ 'app.py': enqueue('_QUEUE'), 'settings/__init__.py': '_QUEUE = "hidden"\n' });
    expect(privateName.producers.map((producer) => producer.queue)).toEqual([null]);
    const nowhere = scan({ 'app.py': enqueue('OTHER'), 'settings/__init__.py': 'from settings.a import *\n', 'settings/a.py': 'from settings import *\n' });
    expect(nowhere.producers.map((producer) => producer.queue)).toEqual([null]);
  });
});
