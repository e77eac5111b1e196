/** The Django engine's defaults that settings read before any of its code loads (action inputs, CLI). */
export const DEFAULT_MANAGE_COMMAND = 'python3 manage.py';
