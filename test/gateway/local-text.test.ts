/**
 * Names and reasons recorded as "中文 English" are shown in the reader's language on the consumer
 * page and on labels: the split keeps a quantity and its unit with the Chinese, and leaves
 * anything else as recorded.
 */
import { expect } from 'chai';
import { localText } from '../../gateway-api/index-resolver-source';

describe('gateway: Chinese and English parts of a recorded name', () => {
  it('splits where the English words begin', () => {
    const cases: Array<[string, string, string]> = [
      ['龙井绿茶 Longjing green tea', '龙井绿茶', 'Longjing green tea'],
      // the demo's product: "g" is the Chinese name's unit, not the start of the English
      ['龙井绿茶 250 g Longjing green tea 250 g', '龙井绿茶 250 g', 'Longjing green tea 250 g'],
      ['龙井 5 kg Longjing 5 kg', '龙井 5 kg', 'Longjing 5 kg'],
      ['毒死蜱超标 Chlorpyrifos above the legal limit (0.42 mg/kg, limit 0.1)', '毒死蜱超标', 'Chlorpyrifos above the legal limit (0.42 mg/kg, limit 0.1)'],
      ['召回茶叶已下架，未做下架记录 Recalled tea off the shelves; no withdrawal log kept', '召回茶叶已下架，未做下架记录', 'Recalled tea off the shelves; no withdrawal log kept'],
      ['浙江省 市场监管局  Zhejiang Market Regulation', '浙江省 市场监管局', 'Zhejiang Market Regulation'],
      ['龙井 Longjing (龙井)', '龙井', 'Longjing (龙井)'],
      ['(2026) 龙井 Longjing', '(2026) 龙井', 'Longjing'],
      ['龙井\u0000 Tea', '龙井\u0000', 'Tea'], // a control character is text like any other
    ];
    for (const [text, zh, en] of cases) expect(localText(text), text).to.deep.equal({ zh, en });
  });

  it('shows in both languages what is not Chinese then English', () => {
    for (const text of ['Longjing green tea', '龙井绿茶', '龙井绿茶 250 g', 'Longjing 龙井', 'GT 龙井 Longjing', '', '|']) {
      expect(localText(text), text).to.deep.equal({ zh: text, en: text });
    }
  });
});
