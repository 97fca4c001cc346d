import { describe, expect, it } from 'vitest';
import { serverReadsSection } from '../../src/database/mycnf.js';

describe('which my.cnf sections a server reads', () => {
  it.each([
    ['mysqld', '8.0.36', true],
    ['server', '10.11.6-MariaDB-log', true],
    ['mysqld-8.0', '8.0.36', true],
    ['mysqld-8.0', '8.4.3', false],
    ['mysqld-8.0', '10.11.6-MariaDB-log', false],
    ['mysqld-10.11', '10.11.6-MariaDB-log', true],
    ['mariadb-10.11', '10.11.6-MariaDB-log', true],
    ['mariadbd-10.11', '10.11.6-MariaDB-log', true],
    ['mariadb-10.11', '10.6.18-MariaDB', false],
    ['mariadb-10.1', '10.11.6-MariaDB-log', false],
    ['mariadb', '8.0.36', false],
    ['client-server', '10.11.6-MariaDB-log', true],
    ['client-server', '8.0.36', false],
    ['client', '10.11.6-MariaDB-log', false],
    ['mysqldump', '10.11.6-MariaDB-log', false],
    // no version known: the plain server sections, but no section meant for one version
    ['mariadb', undefined, true],
    ['mysqld-8.0', undefined, false],
  ])('[%s] on %s: %s', (section, version, reads) => {
    expect(serverReadsSection(section, version)).toBe(reads);
  });
});
