/** Progress reporting for long stages: a message sink the CLI shows live and the service logs. */
export type Progress = (message: string) => void;

export const silent: Progress = () => {};
