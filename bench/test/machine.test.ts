import { kafkaVersion } from '../src/machine';

describe('kafkaVersion', () => {
  it("reads infra/pom.xml's pin", () => {
    expect(kafkaVersion('<properties>\n  <kafka.version>3.9.1</kafka.version>\n</properties>')).toBe('3.9.1');
    expect(kafkaVersion('<project/>')).toBeNull();
  });
});
