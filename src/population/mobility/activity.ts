/** What a person is doing (mob.activity), and the flag a crash sets. */
export const enum Activity { Home = 0, Work = 1, Walk = 2, Pause = 3, Drive = 4, Parked = 5 }

export const ACTIVITY_NAMES = ['home', 'work', 'walk', 'pause', 'drive', 'parked'] as const;

/** mob.flags bit set by a crash. */
export const CRASHED = 2;
