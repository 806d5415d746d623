// Native ES modules, no transform: the test file is plain JavaScript.
export default { testEnvironment: "node", transform: {}, testTimeout: 60_000 };
