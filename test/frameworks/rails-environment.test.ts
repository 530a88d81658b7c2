import { describe, expect, it } from 'vitest';
import { deployedRailsEnvironment } from '../../src/frameworks/activejob/rails-config.js';

/** The deployment's values as the static stage hands them: one value, null when services disagree, undefined when unset. */
const deployed = (values: Record<string, string | null>) => (variable: string) => values[variable];

describe('the Rails environment whose configuration is read', () => {
  it('is RAILS_ENV as the services set it, else RACK_ENV (Rails.env), else production', () => {
    expect(deployedRailsEnvironment(deployed({ RAILS_ENV: 'staging', RACK_ENV: 'qa' }))).toBe('staging');
    expect(deployedRailsEnvironment(deployed({ RACK_ENV: 'qa' }))).toBe('qa');
    expect(deployedRailsEnvironment(deployed({}))).toBe('production');
  });

  it('is production when the services disagree on RAILS_ENV, without falling to RACK_ENV', () => {
    expect(deployedRailsEnvironment(deployed({ RAILS_ENV: null, RACK_ENV: 'qa' }))).toBe('production');
  });

  it('is never a path: a value that is not a file name under config/environments/ is production', () => {
    for (const hostile of ['../../etc/passwd', 'staging/../x', '', 'a'.repeat(65), 'prod\u0000uction']) {
      expect(deployedRailsEnvironment(deployed({ RAILS_ENV: hostile }))).toBe('production');
    }
  });
});
