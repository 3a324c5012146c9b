/** The sign-in page of the service (server-rendered, no script), in Russian or English. */

const TEXT = {
  en: {
    title: 'Sign in · reglament',
    heading: 'Sign in',
    user: 'User name',
    password: 'Password',
    submit: 'Sign in',
    error: 'Wrong user name or password, or too many attempts.',
    directory: 'Use your directory (LDAP) account or a local account of the service.',
    local:
      'Use a local account of the service. After the first start, the administrator’s password is in the file initial-admin-password in the data directory.',
    other: 'Русский',
  },
  ru: {
    title: 'Вход · reglament',
    heading: 'Вход',
    user: 'Имя пользователя',
    password: 'Пароль',
    submit: 'Войти',
    error: 'Неверное имя пользователя или пароль либо слишком много попыток.',
    directory: 'Войдите с учётной записью каталога (LDAP) или с локальной учётной записью сервиса.',
    local:
      'Войдите с локальной учётной записью сервиса. После первого запуска пароль администратора лежит в файле initial-admin-password в каталоге данных.',
    other: 'English',
  },
} as const;

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function loginPage(o: { lang: 'en' | 'ru'; next: string; error: boolean; ldap: boolean }): string {
  const t = TEXT[o.lang];
  const other = o.lang === 'en' ? 'ru' : 'en';
  return `<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem;color:#172b4d;line-height:1.5}
label{display:block;margin:.75rem 0 .25rem}input{width:100%;box-sizing:border-box;padding:.4rem;font:inherit}
button{margin-top:1rem;padding:.4rem 1rem;font:inherit}.error{color:#bf2600}small{color:#6b778c}a{color:#0052cc}
</style>
</head>
<body>
<h1>${esc(t.heading)}</h1>
${o.error ? `<p class="error" role="alert" data-testid="login-error">${esc(t.error)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="next" value="${esc(o.next)}">
<label for="username">${esc(t.user)}</label><input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">${esc(t.password)}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" data-testid="login-submit">${esc(t.submit)}</button>
</form>
<p><small>${esc(o.ldap ? t.directory : t.local)}</small></p>
<p><small><a href="/login?lang=${other}&amp;next=${encodeURIComponent(o.next)}">${esc(t.other)}</a></small></p>
</body>
</html>
`;
}
