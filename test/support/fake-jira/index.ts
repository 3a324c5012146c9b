/** Test support for the Forge app: fake Jira (OpenAPI-validated), Forge runtime stand-in, MariaDB. */
export * from './server';
export * from './forge-runtime';
export * from './mariadb';
