import { describe, expect, it } from 'vitest';
import { evaluateDevice, type DeviceFacts } from './device-check';

const desktop: DeviceFacts = {
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
  finePointer: true,
  secureContext: true,
  hasGetUserMedia: true,
  cameras: 1,
  window: { width: 1280, height: 720 },
};
const MIN = { width: 1024, height: 700 };

describe('evaluateDevice', () => {
  it('a desktop with a camera and a large window passes with no problems', () => {
    expect(evaluateDevice(desktop, MIN)).toEqual({ desktop: true, webcam: true, windowOk: true, problems: [] });
  });

  it('phones and tablets (mobile UA or no fine pointer) are not desktops', () => {
    const phone = { ...desktop, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' };
    expect(evaluateDevice(phone, MIN).desktop).toBe(false);
    expect(evaluateDevice({ ...desktop, finePointer: false }, MIN).desktop).toBe(false);
    expect(evaluateDevice({ ...desktop, finePointer: false }, MIN).problems[0]).toMatch(/desktop or laptop/);
  });

  it('no camera, no camera API or an insecure page: no webcam, each with its own message', () => {
    const none = evaluateDevice({ ...desktop, cameras: 0 }, MIN);
    expect(none.webcam).toBe(false);
    expect(none.problems).toEqual([expect.stringMatching(/No camera was found/)]);
    expect(evaluateDevice({ ...desktop, secureContext: false }, MIN).problems).toEqual([expect.stringMatching(/does not allow camera access/)]);
    expect(evaluateDevice({ ...desktop, hasGetUserMedia: false }, MIN).webcam).toBe(false);
  });

  it('a window below the minimum in either dimension is refused, naming both sizes; the minimum itself passes', () => {
    const small = evaluateDevice({ ...desktop, window: { width: 1280, height: 699 } }, MIN);
    expect(small.windowOk).toBe(false);
    expect(small.problems).toEqual([expect.stringContaining('1280×699 pixels; this study needs at least 1024×700')]);
    expect(evaluateDevice({ ...desktop, window: { width: 1024, height: 700 } }, MIN).windowOk).toBe(true);
  });
});
