/**
 * Text that monitoring tools and people may send and that must stay text wherever it is shown:
 * HTML and script, attribute break-outs, Slack and DingTalk markup, template syntax.
 */
export const BAD_TEXTS = [
  '<img src=x onerror=alert(1)><script>alert(2)</script>',
  '"><svg onload=alert(3)>',
  "'';!--\"<XSS>=&{()}",
  '<!channel> <@U0ZHANG> <https://evil.example|click me>',
  '[click](javascript:alert(4)) **bold** @all',
  '{{constructor.constructor("alert(5)")()}} ${alert(6)}',
  '<iframe src="javascript:alert(7)"></iframe>',
] as const;
