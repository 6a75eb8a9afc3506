import { describe, expect, it } from 'vitest';
import { canonicalQuery, percentEncode, rpcSignature } from '../../../src/notify/providers/aliyun-rpc.js';
import { tc3Authorization } from '../../../src/notify/providers/tencent.js';
import { twilioSignature, twilioSignatureValid } from '../../../src/notify/providers/twilio.js';
import { webhookSignature } from '../../../src/notify/signed-post.js';

describe('provider request signing, against the providers’ published examples', () => {
  it('Aliyun RPC (SendSms example of the SMS documentation)', () => {
    const params = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };
    expect(canonicalQuery(params)).toContain('SignName=%E9%98%BF%E9%87%8C%E4%BA%91');
    expect(canonicalQuery(params)).toContain('TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z');
    expect(rpcSignature('GET', params, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it('Aliyun RPC (DescribeRegions example of the signature documentation)', () => {
    const params = {
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Version: '2014-05-26',
      Timestamp: '2016-02-23T12:46:24Z',
    };
    expect(rpcSignature('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('Aliyun percent-encoding follows RFC 3986 (space %20, * %2A, ~ kept)', () => {
    expect(percentEncode("a b*~'()!")).toBe('a%20b%2A~%27%28%29%21');
  });

  it('Tencent TC3-HMAC-SHA256 (CVM DescribeInstances example of the API 3.0 documentation)', () => {
    const auth = tc3Authorization({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      service: 'cvm',
      host: 'cvm.tencentcloudapi.com',
      timestamp: 1551113065,
      payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    });
    expect(auth).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, ' +
        'Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  it('Twilio X-Twilio-Signature (example of the webhook security documentation)', () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(twilioSignatureValid('12345', url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
    expect(twilioSignatureValid('12345', url, { ...params, Digits: '1' }, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
    expect(twilioSignatureValid('12345', url, params, undefined)).toBe(false);
  });

  it('outgoing webhooks: sha256= HMAC of "<timestamp>.<body>"', () => {
    expect(webhookSignature('s3cret', 1700000000, '{"a":1}')).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(webhookSignature('s3cret', 1700000000, '{"a":1}')).not.toBe(webhookSignature('s3cret', 1700000001, '{"a":1}'));
  });
});
